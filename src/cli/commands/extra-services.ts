/**
 * Services `baton standalone` runs beside the scheduler (triggerer, web server). Each registers
 * itself here so the standalone command needs no change when one is added.
 */
import type { BatonConfig } from '../../config.ts';
import type { Engine } from '../../engine/engine.ts';
import { triggererService } from './triggerer-command.ts';
import { webserverService } from './webserver-command.ts';

export interface ExtraService {
  name: string;
  describe: string;
  stop(): Promise<void>;
}

export interface ExtraServiceFactory {
  start(ctx: { config: BatonConfig; engine: Engine }): Promise<ExtraService>;
}

export const extraServices: ExtraServiceFactory[] = [triggererService, webserverService];
