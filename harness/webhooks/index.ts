/** Webhook signing, sending and the catalogue of invalid/equivalent deliveries (contract section 4, oracle 6.1–6.2). */
export { signatureHeaders, schemeSpec, type SignatureHeadersInput } from './sign.js';
export { buildDelivery, newDeliveryId, toBodyBytes, type BuildDeliveryInput } from './deliveries.js';
export { SCHEMES, type SchemeSpec, type SignInput } from './schemes/index.js';
export { verifySignature, type VerifyInput, type VerifyResult, type VerifyFailure } from './verify.js';
export { MUTATIONS, applyMutation, mutationById, mutationsFor, type Mutation, type Expectation } from './mutations.js';
export { mutationContext, randomSecret, type MutationContext, type Forged, type KeySource } from './forge.js';
export { equivalentBodies, reserializedForgery, EQUIVALENT_VARIANTS, TRICKY_TEXT, type EquivalentBody, type ForgeryInput } from './equivalent-bytes.js';
export { writeJson, type JsonStyle } from './json-writer.js';
export {
  bodyMutationArb,
  contextArb,
  equivalentBytesArb,
  invalidSignatureArb,
  sampleEnvelopeArb,
  timestampArb,
  validDeliveryArb,
  type DeliveryCase,
} from './arbitraries.js';
export { WebhookSender, type WebhookSenderOptions, type SendOptions, type RawRequest } from './sender.js';
