/**
 * The Content-Security-Policy of the hosted pages: scripts, styles and connections from this
 * origin only, no inline script or style, never framed. `connectTo` adds origins a page must call
 * besides its own (the workforce identity provider of the agent console).
 */
export function pageContentSecurityPolicy(connectTo: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectTo].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
