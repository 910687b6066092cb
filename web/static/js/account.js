/** The account page: saving the owner's name (the password form is a plain form post). */

import { api } from "./api.js";
import { toast } from "./toast.js";

const form = document.querySelector("[data-account-form]");
const errorBox = form.querySelector("[data-account-error]");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector('button[type="submit"]');
  button.setAttribute("aria-busy", "true");
  errorBox.hidden = true;
  try {
    const name = form.elements.full_name.value.trim();
    const saved = await api("/api/v1/users/me", { method: "PUT", body: { full_name: name || null } });
    form.elements.full_name.value = saved.full_name || "";
    toast("Your details were saved.", "success");
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
  } finally {
    button.removeAttribute("aria-busy");
  }
});
