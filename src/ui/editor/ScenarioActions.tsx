/**
 * The header's scenario buttons: Lessons, Edit scenario, Import JSON, Export JSON. Narrower
 * than 1280 px (tablets) the page is read-only: no editor and no import.
 */

import { LessonMenuButton } from "../app/lessons/LessonMenu.tsx";
import { EditScenarioButton } from "./EditScenarioButton.tsx";
import { FileButtons } from "./FileButtons.tsx";

export function ScenarioActions() {
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <LessonMenuButton />
      <span className="contents max-xl:hidden">
        <EditScenarioButton />
      </span>
      <FileButtons />
    </div>
  );
}
