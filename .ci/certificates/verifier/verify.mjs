// Verifies an Open Badges 3.0 credential issued by help-lms, offline but for the server
// itself: the DataIntegrityProof (eddsa-rdfc-2022) with @digitalbazaar/vc, and its
// Bitstring Status List entry (the status list credential is verified too, and its issuer
// must be the credential's); a credential whose revocation bit is set is not verified.
// Contexts come from the installed packages; only URLs under BASE_URL are fetched.
//
//   node verify.mjs [--no-status] BASE_URL CREDENTIAL_FILE
//
// Prints one line of JSON, {"verified": true|false, "error": "...", "status": ...,
// "fetched": [URLs]}, and exits 0 when verified, 1 when not, 2 on a usage or other error.
// --no-status skips the status check (the proof and the issuer's key are still checked).
import {readFile} from 'node:fs/promises';
import {makeLoader} from './loader.mjs';
import {verifyBadge} from './verifier.mjs';

const USAGE = 'usage: node verify.mjs [--no-status] BASE_URL CREDENTIAL_FILE';

function print(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function main() {
  const args = process.argv.slice(2);
  const status = !args.includes('--no-status');
  const positional = args.filter(a => a !== '--no-status');
  if(positional.length !== 2 || positional.some(a => a.startsWith('--'))) {
    print({verified: false, error: USAGE});
    return 2;
  }
  const [baseArg, file] = positional;
  if(!/^https?:\/\/[^/]+/.test(baseArg)) {
    print({verified: false, error: `BASE_URL is no http(s) URL: ${baseArg}. ${USAGE}`});
    return 2;
  }
  const base = baseArg.replace(/\/+$/, '');
  let credential;
  try {
    credential = JSON.parse(await readFile(file, 'utf8'));
  } catch(e) {
    print({verified: false, error: `cannot read ${file}: ${e.message}`});
    return 2;
  }
  const fetched = [];
  const documentLoader = makeLoader({base, log: url => fetched.push(url)});
  const result = await verifyBadge({credential, documentLoader, status});
  print({...result, fetched});
  return result.verified ? 0 : 1;
}

main().then(code => {
  process.exitCode = code;
}, e => {
  print({verified: false, error: `verifier failed: ${e?.stack || e}`});
  process.exitCode = 2;
});
