import type { Plugin } from 'vite';

/**
 * Vite needs one HTML file per page; what differs between the pages is only their title and their
 * script. Each page's file holds those two lines, and this plugin puts them into the document the
 * pages share — before Vite reads the document, so the script and stylesheet are bundled as usual.
 */
export function pageShell(): Plugin {
  return {
    name: 'ciam-page-shell',
    transformIndexHtml: {
      order: 'pre',
      handler(html, { filename }) {
        const title = /<title>[^<]*<\/title>/.exec(html)?.[0];
        const script = /<script type="module" src="[^"]+"><\/script>/.exec(html)?.[0];
        if (!title || !script) throw new Error(`${filename}: a page names its <title> and its module <script>`);
        return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="ciam-config" content="">
    ${title}
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/src/ui/base.css">
    ${script}
  </head>
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="masthead"><span class="brand">Online Banking</span></header>
    <main id="main" tabindex="-1"><noscript>This page needs JavaScript.</noscript></main>
  </body>
</html>
`;
      },
    },
  };
}
