// The benchmarks' probe: a WebDriver BiDi preload script, run in every document (host page
// and toolbar frame alike) before the page's own scripts. It only leaves performance marks,
// named "bench:…", which the benchmark reads once the step it times is over, so timings
// come from the page's own clock and nothing polls while they are taken. The product
// itself is not changed.
//
//   bench:ready                body[data-ready="true"] (toolbar view, host page, bench pages)
//   bench:phone:<state>        the host's #phone-icon data-state changed
//   bench:click                a click on #availability-toggle, at the input event's time
//   bench:command:click        a click on one of the host's agent-command buttons
//   bench:command:<result>     the host showed the toolbar's answer (success, failure…)
//   bench:message:<method>     a postMessage arrived (UEF envelope's method)
//   bench:ws:create|open|close a WebSocket (Twilio signaling) was made, opened, closed
//   bench:ws:send:<type>       a PStream message left (listen, register…)
//   bench:ws:recv:<type>       one arrived (connected, ready, offline…)
() => {
  const COMMAND_BUTTONS = "#make-available, #make-unavailable, #get-agent-state";
  const mark = (name, startTime) =>
    performance.mark(name, startTime === undefined ? undefined : { startTime });

  new MutationObserver((records) => {
    for (const { target } of records) {
      if (target === document.body && target.dataset.ready === "true") mark("bench:ready");
      else if (target.id === "phone-icon") mark(`bench:phone:${target.dataset.state}`);
      else if (target.id === "agent-command-result") mark(`bench:command:${target.dataset.result}`);
    }
  }).observe(document, {
    subtree: true, attributes: true, attributeFilter: ["data-ready", "data-state", "data-result"],
  });

  addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("#availability-toggle")) {
      mark("bench:click", event.timeStamp);
    } else if (event.target instanceof Element && event.target.closest(COMMAND_BUTTONS)) {
      mark("bench:command:click", event.timeStamp);
    }
  }, true);

  addEventListener("message", (event) => {
    mark(`bench:message:${parsed(event.data)?.method ?? "?"}`);
  }, true);

  // Twilio's SDK captures window.WebSocket when it loads; the sandbox's config.js subclasses
  // whatever it finds first, so this wrapper sits under both.
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class BenchWebSocket extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      mark("bench:ws:create");
      this.addEventListener("open", () => mark("bench:ws:open"));
      this.addEventListener("message", (event) => mark(`bench:ws:recv:${frameType(event.data)}`));
      this.addEventListener("close", () => mark("bench:ws:close"));
    }

    send(data) {
      mark(`bench:ws:send:${frameType(data)}`);
      super.send(data);
    }
  };

  function frameType(data) {
    return data === "\n" ? "heartbeat" : parsed(data)?.type ?? "?";
  }

  function parsed(data) {
    try {
      return typeof data === "string" ? JSON.parse(data) : null;
    } catch {
      return null;
    }
  }
}
