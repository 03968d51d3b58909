/* eslint-disable @typescript-eslint/no-require-imports -- see below: each decorator by its own file */
import type * as ClassValidator from 'class-validator';

/**
 * The class-validator pieces the config schema uses, each required from its own file.
 *
 * class-validator's index loads every decorator it has, validator.js whole and libphonenumber-js:
 * about 0.2 s, paid by every `ozvpsctl` command before it does anything. These files are what the
 * index itself re-exports (the same functions, the same global metadata storage), so the checks
 * are exactly class-validator's; config-validators.spec.ts pins that they are the index's own.
 */
const cjs = 'class-validator/cjs/';

export const IsEmail = (require(`${cjs}decorator/string/IsEmail`) as typeof ClassValidator).IsEmail;
export const IsIn = (require(`${cjs}decorator/common/IsIn`) as typeof ClassValidator).IsIn;
export const IsInt = (require(`${cjs}decorator/typechecker/IsInt`) as typeof ClassValidator).IsInt;
export const IsOptional = (require(`${cjs}decorator/common/IsOptional`) as typeof ClassValidator).IsOptional;
export const IsString = (require(`${cjs}decorator/typechecker/IsString`) as typeof ClassValidator).IsString;
export const IsUrl = (require(`${cjs}decorator/string/IsUrl`) as typeof ClassValidator).IsUrl;
export const Matches = (require(`${cjs}decorator/string/Matches`) as typeof ClassValidator).Matches;
export const Max = (require(`${cjs}decorator/number/Max`) as typeof ClassValidator).Max;
export const Min = (require(`${cjs}decorator/number/Min`) as typeof ClassValidator).Min;

const { Validator } = require(`${cjs}validation/Validator`) as typeof ClassValidator;

/** class-validator's validateSync for an object (the index's does `new Validator()` the same way). */
export function validateSync(
  object: object,
  options: ClassValidator.ValidatorOptions,
): ClassValidator.ValidationError[] {
  return new Validator().validateSync(object, options);
}
