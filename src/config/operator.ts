import { userInfo } from 'node:os';
import { z } from 'zod';
import { optionalText, readEnv, type Env } from './fields.js';

const OperatorEnv = z.object({
  /** Who runs an operator command (recorded in its audit row); unset → the operating-system user. */
  CIAM_OPERATOR: optionalText(),
});

export function readOperator(env: Env): string {
  return readEnv(OperatorEnv, env).CIAM_OPERATOR ?? userInfo().username;
}
