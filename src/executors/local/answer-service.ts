/**
 * Executor side of the service requests: answers a worker's question about the metadata
 * database from the `WorkerServices` the executor was started with. XCom pulls are limited
 * to the DAG run of the try that asks, and ML calls are recorded against that try.
 */
import type { TaskWorkload, WorkerServices } from '../executor.ts';
import type { ServiceCall } from './protocol.ts';

/** The answer to `call`, asked by the try running `workload`. */
export function answerService(services: WorkerServices, workload: TaskWorkload, call: ServiceCall): Promise<unknown> {
  switch (call.method) {
    case 'pullXComs':
      return services.pullXComs({ dagId: workload.key.dagId, runId: workload.key.runId, taskIds: call.taskIds, key: call.key });
    case 'getVariable':
      return services.getVariable(call.key);
    case 'listVariables':
      return services.listVariables();
    case 'getConnection':
      return services.getConnection(call.connId);
    case 'listConnections':
      return services.listConnections();
    case 'getExternalState':
      return services.getExternalState({ dagId: call.dagId, taskId: call.taskId, logicalDate: call.logicalDate });
    case 'ml': {
      if (!services.ml) return Promise.reject(new Error('this executor\'s services do not answer ctx.ml calls (tracking and the model registry)'));
      const k = workload.key;
      return services.ml({ dagId: k.dagId, runId: k.runId, taskId: k.taskId, mapIndex: k.mapIndex, tryNumber: workload.tryNumber }, call.request);
    }
  }
}
