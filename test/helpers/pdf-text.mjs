// Prints the text of the PDF on stdin (pdf-parse loads pdf.js with a dynamic import, which Jest's
// module sandbox refuses; a plain Node process does not).
import { PDFParse } from 'pdf-parse';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
process.stdout.write((await parser.getText()).text);
await parser.destroy();
