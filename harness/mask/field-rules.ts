/**
 * Rules chosen by the field a value sits under (a JSON key, a header or query name): people's
 * names, addresses and phones have no shape to recognise, so the key says what they are;
 * secrets under secret-ish keys are masked whatever they look like.
 */
export type FieldKind = 'secret' | 'full-name' | 'first-name' | 'last-name' | 'street' | 'line2' | 'city' | 'postal-code' | 'address' | 'phone';

/** Keys normalised: lower case, without `_`, `-`, spaces and dots. */
const FIELDS: ReadonlyArray<[FieldKind, readonly string[]]> = [
  ['secret', ['secret', 'clientsecret', 'webhooksecret', 'signingsecret', 'password', 'passwd', 'passphrase', 'apikey', 'xapikey', 'apisecret', 'accesstoken', 'refreshtoken', 'idtoken', 'sessiontoken', 'authtoken', 'bearertoken', 'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'privatekey', 'signature', 'webhooksignature', 'stripesignature', 'xhubsignature', 'xhubsignature256', 'xsignature', 'cvc', 'cvv', 'cvv2', 'cvc2', 'csc', 'securitycode', 'pin']],
  ['full-name', ['name', 'fullname', 'customername', 'cardholder', 'cardholdername', 'holdername', 'accountholdername', 'billingname', 'shippingname', 'contactname', 'displayname', 'nameoncard', 'recipientname', 'payername']],
  ['first-name', ['firstname', 'givenname', 'forename', 'middlename']],
  ['last-name', ['lastname', 'familyname', 'surname']],
  ['street', ['line1', 'addressline1', 'street', 'streetaddress', 'address1']],
  ['line2', ['line2', 'addressline2', 'address2']],
  ['city', ['city', 'town', 'locality']],
  ['postal-code', ['postalcode', 'postcode', 'zip', 'zipcode']],
  ['address', ['address', 'billingaddress', 'shippingaddress', 'fulladdress']],
  ['phone', ['phone', 'phonenumber', 'mobile', 'mobilephone', 'telephone', 'tel', 'cell', 'cellphone', 'fax']],
];

const BY_KEY = new Map<string, FieldKind>(FIELDS.flatMap(([kind, keys]) => keys.map((k) => [k, kind] as [string, FieldKind])));

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[\s_.-]+/g, '');
}

/** What the field named `key` holds, when its name says so. */
export function fieldKind(key: string | undefined): FieldKind | undefined {
  if (key === undefined) return undefined;
  const k = normaliseKey(key);
  const exact = BY_KEY.get(k);
  if (exact) return exact;
  // `customer_phone`, `billing_postal_code`, `x-webhook-signature`: judged by their ending.
  for (const [kind, keys] of FIELDS) {
    if (kind === 'full-name' || kind === 'address') continue;
    if (keys.some((s) => s.length >= 5 && k.endsWith(s))) return kind;
  }
  return undefined;
}
