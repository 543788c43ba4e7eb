import fc from 'fast-check';

/** Strings biased towards the hostile: controls, lone surrogates, markup terminators. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(
    fc.oneof(
      fc.constantFrom('\u0000', '\u001b[31m', '\u001b]0;pwned\u0007', '\u009b2J', ']]>', '</script>', '<!--', '&amp;', '"', "'", '\r\n', '\ud800', '\udfff', '\u202e', '\u2028', '\ufffe', '\uffff', '😀'),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 20 },
  ).map((parts) => parts.join('')),
);

