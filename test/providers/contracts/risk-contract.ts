import { describe, expect, it } from 'vitest';
import type { DeviceRisk, Recommendation, RiskRequest } from '../../../src/providers/risk/port.js';

export interface RiskSubject {
  risk: DeviceRisk;
  /** An action token for which this risk service recommends `recommendation` for device `deviceId`. */
  actionToken(recommendation: Recommendation, deviceId: string): string;
}

const RECOMMENDATIONS: Recommendation[] = ['ALLOW', 'CHALLENGE', 'DENY', 'TRUST'];

function login(actionToken: string): RiskRequest {
  return { actionToken, cupid: 'CUPID_MFA_001', ipAddress: '203.0.113.7', userAgent: 'contract-test', correlationId: '6f1c2d1e-0b7a-4a63-9a43-3f1f0f2b9b11' };
}

/** What every DeviceRisk (src/providers/risk/port.ts) must answer; `subject()` is called inside each test. */
export function describeRiskContract(name: string, subject: () => RiskSubject): void {
  describe(`${name}: the DeviceRisk port`, () => {
    it.each(RECOMMENDATIONS)('answers %s with a score from 0 to 100, the device id, its signals and the raw answer', async (recommendation) => {
      const { risk, actionToken } = subject();
      const assessment = await risk.evaluate(login(actionToken(recommendation, 'contract-device-1')));
      expect(assessment.recommendation).toBe(recommendation);
      expect(assessment.riskScore).toBeGreaterThanOrEqual(0);
      expect(assessment.riskScore).toBeLessThanOrEqual(100);
      expect(assessment.deviceId).toBe('contract-device-1');
      expect(Array.isArray(assessment.signals)).toBe(true);
      expect(assessment.raw).toBeTypeOf('object');
      expect(assessment.degraded).toBeUndefined();
      expect(assessment.unverified).toBeUndefined();
    });

    it('scores a DENY above an ALLOW, and an ALLOW no lower than a TRUST', async () => {
      const { risk, actionToken } = subject();
      const score = async (r: Recommendation) => (await risk.evaluate(login(actionToken(r, 'contract-device-2')))).riskScore;
      expect(await score('DENY')).toBeGreaterThan(await score('ALLOW'));
      expect(await score('ALLOW')).toBeGreaterThanOrEqual(await score('TRUST'));
    });

    it('hears how a journey ended without failing, where it listens at all', async () => {
      const { risk, actionToken } = subject();
      const report = { actionToken: actionToken('ALLOW', 'contract-device-3'), cupid: 'CUPID_MFA_001', success: true };
      await expect(Promise.resolve(risk.reportOutcome?.(report))).resolves.toBeUndefined();
    });
  });
}
