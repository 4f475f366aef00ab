// Fresh problems: the task record a bundle carries (`calt generate` wrote it, `calt train`
// kept it) turned into a form with one typed field per task parameter, and the form read back
// into a request for the wasm's freshProblems (which validates it as `calt generate` does).

/// The task record in a bundle's info, or null when the data came from elsewhere.
export function taskRecord(info) {
  const task = info?.train_info?.task;
  return task && typeof task.task?.name === "string" ? task : null;
}

/// Fills `fieldset` with one labelled input per parameter of `task` (a `task:` block: `name`
/// and its parameters), set to the training values. Numbers get number inputs, booleans
/// checkboxes, the rest text.
export function renderParameters(fieldset, task) {
  const legend = fieldset.querySelector("legend");
  fieldset.replaceChildren(legend);
  for (const [key, value] of Object.entries(task)) {
    if (key === "name") continue;
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.dataset.key = key;
    input.dataset.type = typeof value;
    if (typeof value === "boolean") {
      input.type = "checkbox";
      input.checked = value;
      label.append(input, ` ${key}`);
    } else {
      input.type = typeof value === "number" ? "number" : "text";
      if (typeof value === "number") input.step = "1";
      input.value = String(value);
      label.append(`${key} `, input);
    }
    input.dataset.trained = JSON.stringify(value);
    fieldset.append(label);
  }
}

/// The parameters as typed in the form: `{name, ...parameters}`. A number field that does not
/// hold a number is sent as its text, so that the task's own check names the key.
export function readParameters(fieldset, name) {
  const task = { name };
  for (const input of fieldset.querySelectorAll("input[data-key]")) {
    const { key, type } = input.dataset;
    if (type === "boolean") task[key] = input.checked;
    else if (type === "number") task[key] = input.value.trim() !== "" && Number.isFinite(Number(input.value)) ? Number(input.value) : input.value;
    else task[key] = input.value;
  }
  return task;
}

/// The parameters whose value differs from the training run's, as `key: trained → now`
/// (and each such field's label marked).
export function changedParameters(fieldset, task) {
  const changes = [];
  for (const input of fieldset.querySelectorAll("input[data-key]")) {
    const trained = JSON.parse(input.dataset.trained);
    const now = task[input.dataset.key];
    const changed = JSON.stringify(now) !== JSON.stringify(trained);
    input.parentElement.classList.toggle("changed", changed);
    if (changed) changes.push(`${input.dataset.key}: ${trained} → ${now}`);
  }
  return changes;
}

/// Puts every field back to its training value.
export function resetParameters(fieldset) {
  for (const input of fieldset.querySelectorAll("input[data-key]")) {
    const trained = JSON.parse(input.dataset.trained);
    if (input.type === "checkbox") input.checked = trained;
    else input.value = String(trained);
    input.parentElement.classList.remove("changed");
  }
}
