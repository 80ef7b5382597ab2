import { useEffect, useState } from "react";

function initialDark(): boolean {
  const saved = localStorage.getItem("lopt-theme");
  if (saved) return saved === "dark";
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

export function ThemeToggle() {
  const [dark, setDark] = useState(initialDark);
  useEffect(() => {
    document.documentElement.classList.toggle("dark", dark);
    localStorage.setItem("lopt-theme", dark ? "dark" : "light");
  }, [dark]);
  return (
    <button
      type="button"
      onClick={() => setDark(!dark)}
      aria-pressed={dark}
      className="whitespace-nowrap rounded-lg px-3 py-1.5 text-sm ring-1 ring-slate-300 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:ring-slate-700 dark:hover:bg-slate-800"
    >
      {dark ? "Light mode" : "Dark mode"}
    </button>
  );
}
