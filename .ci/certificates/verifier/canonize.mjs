// Prints the RDFC-1.0 canonical N-Quads of a JSON-LD file, as eddsa-rdfc-2022 canonizes it
// (safe mode, no base, i18n-datatype for @direction), with the verifier's offline loader:
// the contexts the packages ship and nothing from the network. For reference vectors.
//
//   node canonize.mjs FILE
//   node canonize.mjs --proof FILE
//
// With --proof, FILE is a signed document: prints the canonical N-Quads of the document
// without its proof, then those of the proof options (the proof without proofValue, under
// the document's @context), each after a `# ` header line with its SHA-256 in hex, then the
// hex of the 64 bytes signed (proof options hash, then document hash).
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {makeLoader} from './loader.mjs';

const USAGE = 'usage: node canonize.mjs [--proof] FILE';
const DATA_INTEGRITY_V2 = 'https://w3id.org/security/data-integrity/v2';
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';

const sha256 = text => createHash('sha256').update(text, 'utf8').digest('hex');

async function main() {
  const args = process.argv.slice(2);
  const proofMode = args.includes('--proof');
  const files = args.filter(a => a !== '--proof');
  if(files.length !== 1 || files[0].startsWith('--')) {
    console.error(USAGE);
    return 2;
  }
  const document = JSON.parse(await readFile(files[0], 'utf8'));
  const documentLoader = makeLoader();
  if(!proofMode) {
    process.stdout.write(await cryptosuite.canonize(document, {documentLoader}));
    return 0;
  }
  const {proof, ...unsecured} = document;
  if(!proof || typeof proof !== 'object' || Array.isArray(proof)) {
    console.error('--proof: the document has no single proof object');
    return 2;
  }
  const options = {'@context': document['@context'], ...proof};
  delete options.proofValue;
  // As DataIntegrityProof does: the suite context is added unless the document has it
  // (the VC 2.0 context includes it).
  const contexts = [].concat(options['@context'] || []);
  if(!contexts.includes(DATA_INTEGRITY_V2) && !contexts.includes(VC_V2)) {
    options['@context'] = [...contexts, DATA_INTEGRITY_V2];
  }
  const doc = await cryptosuite.canonize(unsecured, {documentLoader});
  const opts = await cryptosuite.canonize(options, {documentLoader});
  process.stdout.write(`# document sha256 ${sha256(doc)}\n${doc}`);
  process.stdout.write(`# proof options sha256 ${sha256(opts)}\n${opts}`);
  process.stdout.write(`# signed bytes (hex) ${sha256(opts)}${sha256(doc)}\n`);
  return 0;
}

main().then(code => {
  process.exitCode = code;
}, e => {
  console.error(`canonize failed: ${e?.stack || e}`);
  process.exitCode = 2;
});
