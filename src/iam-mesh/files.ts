// The mesh written in one of its formats, as files (relative path and text). JSON texts go through
// jsonText and Terraform's through breakWorkflowCommands (report/escape.ts): the documents are printed
// to CI logs too, and no line of them may read as a workflow command.
import { breakWorkflowCommands, jsonText, terminalText } from "../report/escape.js";
import { meshToCloudFormation } from "./format-cloudformation.js";
import { meshToJson } from "./format-json.js";
import { meshToTerraform } from "./format-terraform.js";
import type { IamMesh } from "./mesh.js";

export const MESH_FORMATS = ["json", "terraform", "cloudformation"] as const;
export type MeshFormat = (typeof MESH_FORMATS)[number];

export interface MeshFile {
  /** Relative to the output directory. */
  path: string;
  content: string;
}

export interface MeshFileOptions {
  /** One line saying what generated the files (service, configuration). */
  header: string;
  /** The region of an account's provider (Terraform). */
  regionOf: (account: string) => string;
}

export function meshFiles(mesh: IamMesh, format: MeshFormat, o: MeshFileOptions): MeshFile[] {
  const json = (v: unknown) => `${jsonText(v, 2)}\n`;
  switch (format) {
    case "json":
      return [{ path: "iam-mesh.json", content: json(meshToJson(mesh)) }];
    case "terraform": {
      // Comment lines carry configuration-derived text (notes): shown escaped, on one line each.
      const safeMesh: IamMesh = { ...mesh, notes: mesh.notes.map(terminalText) };
      return [
        {
          path: "iam-mesh.tf",
          content: breakWorkflowCommands(meshToTerraform(safeMesh, { header: [terminalText(o.header)], regionOf: o.regionOf })),
        },
      ];
    }
    case "cloudformation":
      return meshToCloudFormation(mesh, o.header).map((f) => ({ path: f.path, content: json(f.content) }));
  }
}
