/**
 * The agent's bearer credential — a development agent key, or the workforce IdP's access token —
 * in memory only: a reload signs the agent out (or back in through the IdP's own session).
 */
let credential: string | undefined;

export const agentCredential = () => credential;
export const setAgentCredential = (value: string | undefined) => {
  credential = value;
};
