import { testQueriesInputOf } from '../configuration-input.js';
import type { RestOperation } from '../rest-types.js';

/** `POST /configurations/testQueries`: `{targetConditionError, customMetricQueryErrors}`, '' where a query is fine. */
export const testConfigurationQueries: RestOperation = (request, { configurations }) => {
  const input = testQueriesInputOf(request);
  return { status: 200, body: configurations.testQueries(input.targetCondition, input.customMetricQueries) };
};
