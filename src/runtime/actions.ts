// Placeholder until the server-actions runtime lands (issue 4).
export {};
