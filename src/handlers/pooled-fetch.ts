/**
 * `fetch` for Bolt's `respond()`: Bolt reads only the status of a `response_url` answer and leaves its body unread,
 * which keeps the connection busy until garbage collection, so every answer opened a new connection. This reads the
 * (small) body first, so the connection goes back to the pool and is reused.
 */
export const drainingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const body = await response.arrayBuffer();
  return new Response(response.status === 204 || response.status === 304 ? null : body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};
