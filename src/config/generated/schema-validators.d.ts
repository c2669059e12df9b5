// Types of the generated standalone validators (see scripts/generate-validators.mjs).
import type { ValidateFunction } from "ajv";

export declare const deployer: ValidateFunction;
export declare const environment: ValidateFunction;
export declare const taskDefinition: ValidateFunction;
export declare const plan: ValidateFunction;
