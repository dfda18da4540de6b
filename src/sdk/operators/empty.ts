/** EmptyOperator: does nothing; useful to group or join dependencies. */
import { BaseOperator } from '../base-operator.ts';

export class EmptyOperator extends BaseOperator<void> {
  static override uiColor = '#e8f7e4';
  execute(): void {}
}
