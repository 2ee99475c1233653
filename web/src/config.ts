/** What the service tells its pages about the deployment, read from <meta name="ciam-config"> (the CSP allows no inline script). */
export interface DemoUser {
  username: string;
  cupid: string;
  traits: { state: string; mfa: boolean; phones: string[]; push: boolean; documents: string[] };
}

export interface PageConfig {
  clientId: string;
  devMode: boolean;
  demoUsers?: DemoUser[];
  /** The agent console's sign-in: the workforce IdP (OpenID Connect) when `oidc` is set, else development keys. */
  console: { devKeys: boolean; oidc?: ConsoleOidc };
}

export interface ConsoleOidc {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
}

let cached: PageConfig | undefined;

export function pageConfig(): PageConfig {
  if (cached) return cached;
  const content = document.querySelector<HTMLMetaElement>('meta[name="ciam-config"]')?.content;
  cached = content ? (JSON.parse(content) as PageConfig) : { clientId: 'web-banking', devMode: false, console: { devKeys: false } };
  return cached;
}
