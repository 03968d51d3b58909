import { useQuery } from '@tanstack/react-query';
import { api, ApiError, AppInfo, Me, Version } from './api';

/** The signed-in user, or null when the server says nobody is (401). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api.get<Me>('/api/auth/me');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

export function useAppInfo() {
  return useQuery({ queryKey: ['app'], queryFn: () => api.get<AppInfo>('/api/app'), staleTime: Infinity });
}

export function useVersion() {
  return useQuery({
    queryKey: ['version'],
    queryFn: () => api.get<Version>('/api/version'),
    staleTime: Infinity,
  });
}
