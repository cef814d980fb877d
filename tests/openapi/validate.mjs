// Validates the OpenAPI document against the OpenAPI 3.0 schema and resolves every $ref.
// Usage: node validate.mjs path/to/openapi.json
import SwaggerParser from '@apidevtools/swagger-parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs OPENAPI.json');
  process.exit(2);
}
try {
  const api = await SwaggerParser.validate(file);
  const operations = Object.values(api.paths).flatMap((item) =>
    Object.keys(item).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)));
  const missingIds = Object.entries(api.paths).flatMap(([path, item]) =>
    Object.entries(item).filter(([k, op]) => operations.includes(k) && !op.operationId).map(([k]) => `${k} ${path}`));
  if (missingIds.length) {
    console.error(`operations without operationId: ${missingIds.join(', ')}`);
    process.exit(1);
  }
  console.log(`valid OpenAPI ${api.openapi}: ${Object.keys(api.paths).length} paths, ${operations.length} operations`);
} catch (err) {
  console.error(`invalid: ${err.message}`);
  process.exit(1);
}
