/**
 * Keyword matching for comment routing, rules and reply approval: case-insensitive, whole words, letters of any
 * language ("refund" matches "Refund?" but not "refunded"; "возврат" matches in Cyrillic text).
 */
export class KeywordMatcher {
  private readonly patterns: { keyword: string; pattern: RegExp }[];

  constructor(keywords: readonly string[]) {
    this.patterns = keywords.map((keyword) => ({
      keyword,
      pattern: new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])${escapeRegExp(keyword)}(?![\\p{L}\\p{N}\\p{M}_])`, 'iu'),
    }));
  }

  /** The first keyword found in `text`, or `undefined`. */
  firstIn(text: string): string | undefined {
    const normalized = text.normalize('NFC');
    return this.patterns.find(({ pattern }) => pattern.test(normalized))?.keyword;
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }
}

/** Whether `text` carries a link: a scheme, a `www.` host, or a bare domain name with a common top-level domain. */
export function hasLink(text: string): boolean {
  return linkPattern.test(text);
}

const linkPattern =
  /(?:\b(?:https?|ftp):\/\/\S|\bwww\.[\p{L}\p{N}-]+\.|(?<![@\p{L}\p{N}_.-])[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:com|net|org|info|biz|io|co|me|ly|app|shop|store|site|online|xyz|top|link|click|club|live|ru|de|uk|fr|es|it|nl|pl|br|in|cn|tk|gg|to|tv|us|eu)(?![\p{L}\p{N}_-]))/iu;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
