/** Format-preserving masking of captured payloads (`gauntlet mask`). */
export { Masker, MaskPathError, DEFAULT_MAX_DEPTH, type MaskerOptions, type JsonValue } from './masker.js';
export { maskDocument, detectFormat, maskHar, isHar, MASK_FORMATS, MaskInputProblem, type MaskFormat } from './formats.js';
export { maskFiles, readKeyFile, checkKey, outputPath, MASK_INPUT_ERROR, MAX_MASK_INPUT_BYTES, MIN_KEY_BYTES, type MaskFilesOptions, type MaskedFile } from './mask-files.js';
export { maskCardDigits, maskCardsInText, maskCardNumber, keptPrefixLength } from './card-mask.js';
export { maskEmail, maskId, maskSecret, applyTextRules, TEXT_RULES, MASK_EMAIL_DOMAIN } from './text-rules.js';
export { fieldKind, normaliseKey, type FieldKind } from './field-rules.js';
export { KeyedStream, randomMaskKey, shapeMask, MASK_KEY_BYTES } from './keyed-random.js';
