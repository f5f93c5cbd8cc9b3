/**
 * Scrubs secrets from text that leaves a channel (error strings in `DeliveryResult`, log lines):
 * tokens, passwords, routing keys and secret URLs (Slack webhook URLs carry their secret in the
 * path; Telegram puts the bot token in the path). Each secret is also matched URL-encoded, because
 * HTTP client errors quote the URL they failed on.
 */
export const REDACTED = '[redacted]';

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret === '') continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(encodeURI(secret));
    if (URL.canParse(secret)) {
      // A secret URL may be quoted as its path alone (`/services/T…/B…/x…`) or normalised by URL.
      const url = new URL(secret);
      variants.add(url.href);
      if (url.pathname.length > 1) variants.add(url.pathname + url.search);
    }
  }
  // Longest first, so a URL is replaced whole before its path is.
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  return (text) => {
    let scrubbed = text;
    for (const variant of ordered) scrubbed = scrubbed.replaceAll(variant, REDACTED);
    return scrubbed;
  };
}
