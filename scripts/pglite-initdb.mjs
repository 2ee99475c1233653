// `npm run build`: a freshly initialised PGlite cluster (what initdb makes, nothing of ours in it),
// written beside the built engine. A new embedded data directory starts from it instead of running
// initdb inside the service, which was most of an embedded first start's CPU.
import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const pglite = await PGlite.create();
const snapshot = await pglite.dumpDataDir('gzip');
await pglite.close();
writeFileSync('dist/store/engines/pglite-initdb.tar.gz', Buffer.from(await snapshot.arrayBuffer()));
