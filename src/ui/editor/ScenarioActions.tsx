/** The header's scenario buttons: Lessons, Edit scenario, Import JSON, Export JSON. */

import { LessonMenuButton } from "../components/LessonMenu.tsx";
import { FileButtons } from "./FileButtons.tsx";
import { EditScenarioButton } from "./ScenarioEditor.tsx";

export function ScenarioActions() {
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <LessonMenuButton />
      <EditScenarioButton />
      <FileButtons />
    </div>
  );
}
