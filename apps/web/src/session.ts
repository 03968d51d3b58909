import { useQuery } from '@tanstack/react-query';
import { queries } from './queries';

/** The signed-in user, or null when nobody is. */
export const useMe = () => useQuery(queries.me());
export const useAppInfo = () => useQuery(queries.app());
export const useVersion = () => useQuery(queries.version());
