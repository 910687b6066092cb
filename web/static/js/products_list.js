/** The product list: deleting from a row (the list itself is server-rendered). */

import { wireDeleteButtons } from "./delete_product.js";
import { flash } from "./toast.js";

wireDeleteButtons((name) => {
  flash(`“${name}” was deleted.`);
  location.reload();
});
