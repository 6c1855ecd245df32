// The benches' table layout lives in devkit/table.ts, shared with the tenants command's closing table.
export * from "../devkit/table";
