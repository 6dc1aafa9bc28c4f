export const notTheHandler = () => null;
