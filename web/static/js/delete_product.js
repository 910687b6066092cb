/**
 * "Delete product" buttons (`data-delete-product="<id>"`, `data-name`): a confirmation
 * dialog, then DELETE /api/v1/products/{id}. The dialog stays open with the error if the
 * delete fails; `onDeleted(name)` runs once it succeeded.
 */

import { api } from "./api.js";

export function wireDeleteButtons(onDeleted) {
  const dialog = document.getElementById("delete-dialog");
  if (!dialog) return;
  const confirm = dialog.querySelector("[data-confirm-delete]");
  const error = dialog.querySelector("[data-delete-error]");
  let target = null;

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-delete-product]");
    if (!button) return;
    target = { id: button.dataset.deleteProduct, name: button.dataset.name };
    dialog.querySelector("[data-delete-name]").textContent = target.name;
    error.hidden = true;
    confirm.disabled = false;
    dialog.showModal();
  });

  confirm.addEventListener("click", async (event) => {
    event.preventDefault();
    if (!target) return;
    confirm.disabled = true;
    confirm.setAttribute("aria-busy", "true");
    try {
      await api(`/api/v1/products/${encodeURIComponent(target.id)}`, { method: "DELETE" });
      dialog.close("deleted");
      onDeleted(target.name);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      confirm.disabled = false;
    } finally {
      confirm.removeAttribute("aria-busy");
    }
  });
}
