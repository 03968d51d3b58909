import * as ClassValidator from 'class-validator';
import * as deep from './config-validators';

// The config schema takes class-validator's decorators from their own files to skip loading the
// whole package on every CLI start; an upgrade that moves them must fail here, not in production.
describe('config validators', () => {
  it.each(['IsEmail', 'IsIn', 'IsInt', 'IsOptional', 'IsString', 'IsUrl', 'Matches', 'Max', 'Min'] as const)(
    '%s is class-validator’s own decorator',
    (name) => {
      expect(deep[name]).toBe(ClassValidator[name]);
    },
  );

  it('validateSync reports what class-validator’s index reports', () => {
    class Probe {
      @deep.IsInt({ message: 'must be a whole number' })
      @deep.Min(1)
      port: unknown = 'x';

      @deep.IsOptional()
      @deep.Matches(/^[a-z]{3}$/)
      currency?: string = 'AUDX';
    }
    const options = { whitelist: false, forbidUnknownValues: true };
    const ours = deep.validateSync(new Probe(), options);
    expect(ours.map((e) => [e.property, Object.keys(e.constraints ?? {}).sort()])).toEqual([
      ['port', ['isInt', 'min']],
      ['currency', ['matches']],
    ]);
    expect(ours).toEqual(ClassValidator.validateSync(new Probe(), options));
  });
});
