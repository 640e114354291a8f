// The verifier tested on its own, with no server: generates an Ed25519 Multikey, signs a
// sample OpenBadgeCredential and Bitstring Status List credentials with @digitalbazaar/vc
// (eddsa-rdfc-2022), and checks that verifier.mjs accepts what it should and rejects what
// it should. The issuer's controller document and the status lists are kept in memory and
// served through loader.mjs (its fragment handling included); nothing is fetched.
//
//   node selftest.mjs
//
// Prints one line a check and "selftest: N passed, N failed"; exits 1 if any failed.
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';
import {CONTEXTS, makeLoader, MULTIKEY_CONTEXT_URL} from './loader.mjs';
import {verifyBadge} from './verifier.mjs';

const BASE = 'http://127.0.0.1:9';
const ISSUER = `${BASE}/api/v1/issuer`;
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_303 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const STATUS_INDEX = 7;

let passed = 0;
let failed = 0;
// `detail` is the result: printed in full on a failure, its error shortened on a pass.
function check(name, ok, detail = '') {
  if(ok) {
    passed++;
    let error = '';
    try {
      error = JSON.parse(detail).error || '';
    } catch {
      error = /^\{/.test(detail) ? '' : detail;
    }
    console.log(`ok - ${name}${error ? ` [${error.slice(0, 150)}]` : ''}`);
  } else {
    failed++;
    console.log(`FAILED - ${name}${detail ? `: ${detail}` : ''}`);
  }
}

async function sign(credential, key) {
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  // The loader serves the contexts only: signing needs no key document.
  return vc.issue({credential, suite, documentLoader: makeLoader()});
}

async function statusList(id, key, revoked) {
  const list = await createList({length: 131072});
  for(const index of revoked) {
    list.setStatus(index, true);
  }
  const credential = await createCredential({id, list, statusPurpose: 'revocation'});
  credential.issuer = ISSUER;
  credential.validFrom = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return sign(credential, key);
}

function badge(statusListCredential) {
  return {
    '@context': [VC_V2, OB_303],
    id: 'urn:uuid:5f0e0b4e-8c43-4c8b-9a8e-3f7b0c1d2e3f',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: {id: ISSUER, type: ['Profile'], name: 'HELP Programme', url: BASE},
    validFrom: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    name: 'International cooperation in criminal matters: pre-trial detention',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{
        type: 'IdentityObject', identityHash: 'Vâlcu-Șerban Mădălina', identityType: 'name',
        hashed: false,
      }],
      achievement: {
        id: `${BASE}/api/v1/courses/international-cooperation-pre-trial-detention`,
        type: ['Achievement'],
        name: 'International cooperation in criminal matters: pre-trial detention',
        description: 'A HELP course completed online, every module quiz passed.',
        criteria: {narrative: 'Read every lesson and pass every module quiz.'},
      },
    },
    credentialStatus: {
      id: `${statusListCredential}#${STATUS_INDEX}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(STATUS_INDEX),
      statusListCredential,
    },
  };
}

async function main() {
  const key = await Ed25519Multikey.generate({id: `${ISSUER}#key-1`, controller: ISSUER});
  const other = await Ed25519Multikey.generate({id: `${ISSUER}#key-2`, controller: ISSUER});
  const publicKey = await key.export({publicKey: true, includeContext: false});
  // VC 2.0, OB 3.0.3 and Multikey define neither `verificationMethod` nor `assertionMethod`
  // at the top level; Security v2 does (jsonld-signatures frames the controller document
  // in safe mode, so an undefined term fails the proof purpose check).
  const controller = {
    '@context': [VC_V2, OB_303, MULTIKEY_CONTEXT_URL, 'https://w3id.org/security/v2'],
    id: ISSUER,
    type: 'Profile',
    name: 'HELP Programme',
    url: BASE,
    verificationMethod: [publicKey],
    assertionMethod: [publicKey.id],
  };
  const lists = {
    [`${BASE}/api/v1/credentials/status/0`]: await statusList(
      `${BASE}/api/v1/credentials/status/0`, key, []),
    [`${BASE}/api/v1/credentials/status/1`]: await statusList(
      `${BASE}/api/v1/credentials/status/1`, key, [STATUS_INDEX]),
    // Signed with a key the issuer does not list.
    [`${BASE}/api/v1/credentials/status/2`]: await statusList(
      `${BASE}/api/v1/credentials/status/2`, other, []),
  };
  const documents = new Map([[ISSUER, controller], ...Object.entries(lists)]);
  const loader = () => makeLoader({
    base: BASE,
    get: async url => {
      if(!documents.has(url)) {
        throw new Error(`GET ${url} answered 404`);
      }
      return documents.get(url);
    },
  });
  const verify = (credential, options = {}) =>
    verifyBadge({credential, documentLoader: loader(), ...options});

  check('the loader ships the OB 3.0.3, VC 2.0, Multikey and Data Integrity contexts',
    [OB_303, VC_V2, MULTIKEY_CONTEXT_URL, 'https://w3id.org/security/data-integrity/v2']
      .every(url => CONTEXTS.has(url)));
  const vm = (await loader()(`${ISSUER}#key-1`)).document;
  check('a verification method URL gives the controller\'s entry under the Multikey context',
    vm.id === `${ISSUER}#key-1` && vm['@context'] === MULTIKEY_CONTEXT_URL &&
    vm.publicKeyMultibase === publicKey.publicKeyMultibase, JSON.stringify(vm));
  let refused = '';
  try {
    await loader()('https://example.org/not-the-server');
  } catch(e) {
    refused = e.message;
  }
  check('the loader refuses a URL outside the base', /refusing to load/.test(refused), refused);

  const good = await sign(badge(`${BASE}/api/v1/credentials/status/0`), key);
  check('the signed credential has an eddsa-rdfc-2022 DataIntegrityProof',
    good.proof?.type === 'DataIntegrityProof' && good.proof.cryptosuite === 'eddsa-rdfc-2022' &&
    good.proof.proofValue?.startsWith('z'), JSON.stringify(good.proof));

  let r = await verify(good);
  check('a signed credential, status bit clear, verifies', r.verified && r.status === 'valid',
    JSON.stringify(r));

  const renamed = structuredClone(good);
  renamed.credentialSubject.identifier[0].identityHash = 'Valcu-Serban Madalina';
  r = await verify(renamed);
  check('a changed learner name fails', !r.verified && r.status === 'not checked',
    JSON.stringify(r));

  r = await verify(renamed, {status: false});
  check('a changed learner name fails without the status check too', !r.verified,
    JSON.stringify(r));

  const revoked = await sign(badge(`${BASE}/api/v1/credentials/status/1`), key);
  r = await verify(revoked);
  check('a revoked credential fails with a status error',
    !r.verified && r.status === 'revoked' && /revoked/.test(r.error), JSON.stringify(r));
  r = await verify(revoked, {status: false});
  check('a revoked credential verifies with the status check skipped',
    r.verified && r.status === 'skipped', JSON.stringify(r));

  const foreignList = await sign(badge(`${BASE}/api/v1/credentials/status/2`), key);
  r = await verify(foreignList);
  check('a status list signed with a key the issuer does not list fails',
    !r.verified && r.status === 'error', JSON.stringify(r));

  const badKey = await sign(badge(`${BASE}/api/v1/credentials/status/0`), other);
  r = await verify(badKey);
  check('a credential signed with a key the issuer does not list fails', !r.verified,
    JSON.stringify(r));

  let undefinedTerm;
  try {
    const loose = badge(`${BASE}/api/v1/credentials/status/0`);
    loose.credentialSubject.nickname = 'not in any context';
    undefinedTerm = await sign(loose, key);
  } catch(e) {
    undefinedTerm = e;
  }
  check('a term no context defines is refused (safe mode)', undefinedTerm instanceof Error,
    undefinedTerm?.message || 'signed');

  const notBadge = structuredClone(good);
  notBadge.type = ['VerifiableCredential'];
  r = await verify(notBadge);
  check('a credential that is no OpenBadgeCredential fails', !r.verified, JSON.stringify(r));

  console.log(`selftest: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(code => {
  process.exitCode = code;
}, e => {
  console.error(`selftest failed: ${e?.stack || e}`);
  process.exitCode = 2;
});
