export default function Home() {
  return <p>GET /value?id=… returns a cached value; POST /revalidate?tag=… revalidates a tag.</p>;
}
