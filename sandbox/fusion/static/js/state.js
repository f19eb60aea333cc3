// What the host knows: the signed-in agent, the toolbar, the calls and the commands.

/**
 * A fresh session for `agent` ({id, name, partyId}); a toolbar reload starts one. `faTrustToken`
 * is the JWT the last getConfiguration answered (a new one each time, as Fusion does).
 */
export function newSession(agent, toolbar) {
  return {
    agent: {
      id: agent.id, name: agent.name, partyId: agent.partyId, faTrustToken: null,
      isLoggedIn: false, isAvailable: false, state: null, stateDisplayString: null,
      reason: null, reasonDisplayString: null,
    },
    toolbar: { ...toolbar, subscriptions: {} },
    calls: new Map(), // eventId -> call (see calls.js)
    outgoing: new Map(), // onOutgoingEvent uuid -> {uuid, number, displayName, status, error}
    commands: new Map(), // commandId -> {event, command, eventId, status, result, outData, error}
  };
}

/** The phone icon's state: `disabled` until the toolbar reports the agent logged in. */
export function phoneState(agent) {
  if (!agent.isLoggedIn) return "disabled";
  return agent.isAvailable ? "available" : "unavailable";
}

/** A JSON-ready copy of the session, for window.fusionHost.state(). */
export function snapshot(session, paused) {
  const plain = (map) => [...map.values()].map(({ timer, ...rest }) => structuredClone(rest));
  return {
    agent: { ...session.agent },
    phoneIcon: phoneState(session.agent),
    toolbar: structuredClone(session.toolbar),
    calls: plain(session.calls),
    outgoing: plain(session.outgoing),
    commands: plain(session.commands),
    paused,
  };
}
