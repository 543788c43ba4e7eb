/** Importing this module registers the built-in detectors, in reporting order. */
export { secret } from './detectors/secret.js';
export { cardNumber } from './detectors/card-number.js';
export { cvv } from './detectors/cvv.js';
export { cardToken } from './detectors/card-token.js';
export { customerEmail } from './detectors/customer-email.js';
export { customerName } from './detectors/customer-name.js';
export { plantedValue } from './detectors/planted-value.js';
