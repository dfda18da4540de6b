/** `dateTime`: fires at `moment` (ISO-8601), at once when it has passed. Event: `{ status: 'success', moment }`. */
import { sleepUntil } from '../../sdk/sensors/sleep.ts';
import { kwargsReader } from '../kwargs.ts';
import type { Trigger } from '../trigger.ts';

/** The `dateTime` trigger. */
export const dateTimeTrigger: Trigger = {
  async run(kwargs, signal) {
    const moment = kwargsReader('dateTime', kwargs).instant('moment');
    await sleepUntil(moment.getTime(), signal);
    return { status: 'success', moment: moment.toISOString() };
  },
};
