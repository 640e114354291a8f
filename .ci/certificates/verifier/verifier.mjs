// What verify.mjs and selftest.mjs share: verifying an OpenBadgeCredential's
// DataIntegrityProof (eddsa-rdfc-2022) with @digitalbazaar/vc, and its Bitstring Status
// List entry with @digitalbazaar/vc-bitstring-status-list (the status list credential is
// verified with the same suite and loader, and its issuer must be the credential's). A set
// status bit fails the verification: checkStatus alone only reports it.
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

/** The messages of an error, its nested errors and causes, in order. */
export function messages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  const out = [];
  if(Array.isArray(error.errors) && error.errors.length) {
    for(const e of error.errors) {
      out.push(...messages(e, seen));
    }
  } else {
    let message = error.message || String(error);
    // jsonld's safe mode says which property or value it would have dropped.
    const event = error.details?.event;
    if(event) {
      message += ` (${event.code}: ${event.message} ${JSON.stringify(event.details)})`;
    }
    out.push(message);
  }
  for(const cause of [error.cause, error.details?.cause]) {
    out.push(...messages(cause, seen).map(m => `cause: ${m}`));
  }
  return out;
}

/** checkStatus, failing when a status bit (revocation, suspension) is set. */
async function checkRevocation(options) {
  const result = await checkStatus({
    ...options,
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true,
  });
  if(!result.verified) {
    return result;
  }
  const set = (result.results || []).filter(r => r.status === true);
  if(set.length) {
    const what = set.map(({credentialStatus: cs}) =>
      `${cs.statusPurpose} bit ${cs.statusListIndex} set in ${cs.statusListCredential}`);
    return {
      ...result,
      verified: false,
      revoked: true,
      error: new Error(`credential status: revoked (${what.join('; ')})`),
    };
  }
  return result;
}

/**
 * Verifies `credential` with `documentLoader`. Returns {verified, status, error?}: status is
 * "valid", "revoked", "error" (the status check failed), "skipped" (status: false) or
 * "not checked" (the proof failed first, or there is no credentialStatus).
 */
export async function verifyBadge({credential, documentLoader, status = true}) {
  const types = [].concat(credential?.type || []);
  if(!types.includes('OpenBadgeCredential')) {
    return {
      verified: false, status: 'not checked',
      error: `not an OpenBadgeCredential (type: ${JSON.stringify(credential?.type)})`,
    };
  }
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus: status ? checkRevocation : async () => ({verified: true}),
  });
  const {statusResult} = result;
  const statusWord = !status ? 'skipped' : !statusResult ? 'not checked' :
    statusResult.verified ? 'valid' : statusResult.revoked ? 'revoked' : 'error';
  if(result.verified) {
    return {verified: true, status: statusWord};
  }
  const errors = [
    ...messages(result.error),
    ...(result.results || []).flatMap(r => messages(r.error)),
    ...messages(statusResult?.error),
  ];
  return {
    verified: false,
    status: statusWord,
    error: [...new Set(errors)].join(' | ') || 'not verified (no error given)',
  };
}
