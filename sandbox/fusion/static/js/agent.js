// The agent's side of the header and the agent commands: the phone icon (#phone-icon), next
// to it what the toolbar last said of the agent's state (#phone-state-label), the signed-in
// agent picker (#agent-picker) and onToolbarAgentCommand buttons whose result shows in
// #agent-command-result.

import { byId } from "./util.js";
import { show } from "./util.js";
import { phoneState } from "./state.js";

const PHONE_LABELS = { disabled: "Disabled", unavailable: "Unavailable", available: "Available" };
const AGENT_COMMANDS = {
  "make-available": "makeAvailable",
  "make-unavailable": "makeUnavailable",
  "get-agent-state": "getCurrentAgentState",
  "get-engagements": "getActiveEngagements",
};

export class Agent {
  constructor(host, agents, onSwitch) {
    this.host = host;
    const picker = byId("agent-picker");
    picker.replaceChildren(...agents.map(({ id, name }) => new Option(`${name} (${id})`, id)));
    picker.value = host.session.agent.id;
    picker.addEventListener("change", () => onSwitch(picker.value));
    for (const [id, command] of Object.entries(AGENT_COMMANDS)) {
      byId(id).addEventListener("click", () => this.command(command));
    }
  }

  /** Show the agent's state on the phone icon and, next to it, the toolbar's words for it. */
  render() {
    const agent = this.host.session.agent;
    const state = phoneState(agent);
    const icon = byId("phone-icon");
    icon.dataset.state = state;
    icon.title = `Phone: ${PHONE_LABELS[state]}`;
    byId("phone-state").textContent = PHONE_LABELS[state];
    // As Fusion shows what it is told: the display strings of the last agentStateEvent, verbatim.
    const label = byId("phone-state-label");
    const [stateText, reasonText] = label.querySelectorAll("[data-field]");
    stateText.textContent = agent.stateDisplayString ?? "";
    reasonText.textContent = agent.reasonDisplayString ?? "";
    show(reasonText, Boolean(agent.reasonDisplayString));
    show(label, Boolean(agent.stateDisplayString || agent.reasonDisplayString));
    document.querySelector(".avatar").textContent = agent.name.slice(0, 1);
  }

  /** Send onToolbarAgentCommand `command` and show the toolbar's answer. */
  async command(command) {
    const element = byId("agent-command-result");
    const turn = (this.turn = (this.turn ?? 0) + 1); // only the latest command's answer is shown
    Object.assign(element.dataset, { command, result: "pending" });
    delete element.dataset.error;
    element.textContent = `${command}: waiting for the toolbar…`;
    show(element);
    try {
      const response = await this.host.sendCommand("onToolbarAgentCommand", command, {});
      if (turn !== this.turn) return;
      element.dataset.result = response.result;
      if (response.result !== "success") element.dataset.error = `the toolbar answered ${response.result}`;
      element.textContent = `${command}: ${response.result}` +
        (response.resultDisplayString ? ` (${response.resultDisplayString})` : "");
      if (response.outData) {
        const pre = document.createElement("pre");
        pre.className = "payload";
        pre.textContent = JSON.stringify(response.outData, null, 2);
        element.append(pre);
      }
    } catch (error) {
      if (turn !== this.turn) return;
      element.dataset.result = "error";
      element.dataset.error = error.message;
      element.textContent = `${command}: ${error.message}`;
    }
  }
}
