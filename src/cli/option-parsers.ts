import { InvalidArgumentError } from 'commander';

/** Commander argument parsers whose errors say what was expected (commander adds the option name). */
export function integerOption(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value))
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}"`);
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${value}`);
    }
    return parsed;
  };
}

export function decimalOption(value: string): string {
  if (!/^\d{1,20}(\.\d{1,8})?$/.test(value)) {
    throw new InvalidArgumentError(`expected a positive decimal with at most 8 places, got "${value}"`);
  }
  return value;
}

export function nonEmptyOption(what: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`expected ${what}, got an empty string`);
    return value;
  };
}
