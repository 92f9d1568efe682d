// Validates Lince's deployment files with tools from the npm registry (no cluster, no Docker
// engine needed): every core and KEDA object in k8s/ against its schema (kubernetes-models), the
// compose file's references, and both Dockerfiles with dockerfilelint. Strimzi's resources have
// no schema package here: DeploymentFilesTest checks their required fields.
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { parseAllDocuments, parse } from "yaml";

const root = new URL("../../", import.meta.url).pathname;
const models = {
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/PersistentVolumeClaim": "kubernetes-models/v1/PersistentVolumeClaim",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "keda.sh/v1alpha1/ScaledObject": "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject",
};
let failures = 0;
const fail = (msg) => { failures++; console.error("FAIL " + msg); };

for (const file of readdirSync(root + "k8s").filter((f) => f.endsWith(".yaml"))) {
  for (const doc of parseAllDocuments(readFileSync(root + "k8s/" + file, "utf8"))) {
    if (doc.errors.length) { fail(`${file}: ${doc.errors[0].message}`); continue; }
    const obj = doc.toJS();
    if (!obj) continue;
    const key = `${obj.apiVersion}/${obj.kind}`;
    const name = `${file}: ${obj.kind} ${obj.metadata?.name}`;
    if (obj.apiVersion?.startsWith("kafka.strimzi.io/")) { console.log(`skip ${name} (Strimzi: DeploymentFilesTest)`); continue; }
    if (!models[key]) { fail(`${name}: no schema for ${key}`); continue; }
    const Model = Object.values(await import(models[key])).find((v) => typeof v === "function" && v.apiVersion === obj.apiVersion && v.kind === obj.kind)
      ?? (await import(models[key]))[obj.kind];
    try {
      new Model(obj).validate();
      console.log(`ok   ${name}`);
    } catch (e) {
      fail(`${name}: ${e.message}`);
    }
  }
}

const compose = parse(readFileSync(root + "docker/compose.yaml", "utf8"));
const volumes = new Set(Object.keys(compose.volumes ?? {}));
for (const [name, svc] of Object.entries(compose.services ?? {})) {
  if (!svc.image) fail(`compose service ${name} has no image`);
  for (const v of svc.volumes ?? []) {
    const source = String(v).split(":")[0];
    if (!source.startsWith(".") && !source.startsWith("/") && !volumes.has(source)) fail(`compose service ${name}: undeclared volume ${source}`);
  }
  for (const dep of Object.keys(svc.depends_on ?? {})) if (!compose.services[dep]) fail(`compose service ${name} depends on unknown ${dep}`);
}
console.log(`ok   docker/compose.yaml: ${Object.keys(compose.services).length} services`);

for (const dockerfile of ["docker/Dockerfile", "docker/Dockerfile.cuda"]) {
  try {
    execFileSync(new URL("node_modules/.bin/dockerfilelint", import.meta.url).pathname, [root + dockerfile], { stdio: "pipe" });
    console.log(`ok   ${dockerfile} (dockerfilelint)`);
  } catch (e) {
    fail(`${dockerfile}: ${e.stdout}`);
  }
}
if (failures) { console.error(`${failures} problem(s)`); process.exit(1); }
