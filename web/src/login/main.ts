import type { ErrorBody, StepAnswer } from '../api/client';
import { errorMessage, text } from '../messages';
import { h, show } from '../ui/dom';
import { credentialsScreen } from './credentials/credentials';
import { deviceBindScreen } from './device-bind/device-bind';
import { esignScreen } from './esign/esign';
import type { JourneyHandlers } from './journey';
import { mfaChoiceScreen } from './mfa-choice/mfa-choice';

/**
 * The hosted login page: the journey's answers drive which screen shows. Tokens are not kept
 * here: once signed in, the account page gets its own access token from the refresh cookie.
 */
const handlers: JourneyHandlers = {
  next(answer: StepAnswer) {
    switch (answer.response_type_code) {
      case 'SUCCESS':
        show(h('section', { class: 'card', 'aria-labelledby': 'done-title' }, h('h1', { id: 'done-title' }, text.signedIn.title), h('p', { role: 'status' }, text.signedIn.going)));
        location.assign('/account');
        return;
      case 'MFA_REQUIRED':
        return mfaChoiceScreen(answer, handlers);
      case 'ESIGN_REQUIRED':
        return void esignScreen(answer, handlers);
      case 'DEVICE_BIND_REQUIRED':
        return deviceBindScreen(answer, handlers);
      default:
        return handlers.fail({ error_code: 'CIAM_E05_00_001' });
    }
  },
  fail(error: ErrorBody) {
    credentialsScreen(handlers, errorMessage(error.error_code));
  },
  restart() {
    credentialsScreen(handlers);
  },
};

credentialsScreen(handlers);
