// A build starts from nothing, so no file of an older build can survive into a new one.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
