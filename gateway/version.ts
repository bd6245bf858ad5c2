/** The gateway's version as reported in serverInfo (multi-server mode) and the User-Agent. */
export const GATEWAY_VERSION = "0.1.0";
