// Copies the non-TypeScript files the service reads at run time (SQL migrations, shipped
// documents) from src/ to the same place under dist/.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const assetPattern = /\.(sql|json|md|html)$/;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (assetPattern.test(name)) cpSync(path, join('dist', relative('src', path)));
  }
}
walk('src');
