/**
 * A fetch for the SDK's StreamableHTTPClientTransport that gives every request its own AbortSignal.
 *
 * The transport passes one connection-wide signal to every fetch, and Node's fetch (undici) adds an
 * "abort" listener to that signal per request, released only when the signal aborts or the request is
 * garbage-collected. A long-lived upstream connection therefore collects listeners without bound
 * (MaxListenersExceededWarning at 1,500, then memory). Here each request gets a private signal,
 * bridged from the connection's with a listener that is removed as soon as the response body has
 * been read, has failed, or was cancelled; aborting the connection still aborts every request and
 * stream in flight.
 */
export function abortIsolatingFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const parent = init?.signal;
    if (!parent || parent.aborted) return base(input, init);
    const own = new AbortController();
    const onAbort = () => own.abort(parent.reason);
    parent.addEventListener("abort", onAbort, { once: true });
    const release = () => parent.removeEventListener("abort", onAbort);
    let res: Response;
    try {
      res = await base(input, { ...init, signal: own.signal });
    } catch (e) {
      release();
      throw e;
    }
    if (!res.body) {
      release();
      return res;
    }
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            release();
            controller.close();
          } else controller.enqueue(value);
        } catch (e) {
          release();
          controller.error(e);
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
